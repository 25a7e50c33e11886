from flask.views import MethodView

from schemas.changes import ChangesArgsSchema, ChangesPageSchema
from schemas.common import ProblemSchema

from ..access import ANYONE, access
from ..errors import PROBLEM_JSON
from ..oauth.protector import current_principal
from ..services import changes
from .common import in_reader_language, session
from .paging import Blueprint

blp = Blueprint("changes", "changes", url_prefix="/api/v1/changes",
                description="The changes feed: every change you may see, in commit order, for keeping a copy "
                            "in sync.")
in_reader_language(blp)


@blp.route("")
class Changes(MethodView):
    @access(blp, ANYONE)
    @blp.arguments(ChangesArgsSchema, location="query")
    @blp.response(200, ChangesPageSchema)
    @blp.alt_response(400, description="since is past the end of this hub's changes: not a cursor of this hub",
                      schema=ProblemSchema, content_type=PROBLEM_JSON)
    def get(self, args):
        """Follow the changes

        Start with since=0 (or without since), then pass each answer's next_cursor. Applying the changes in
        order (created, updated, published: upsert the record; unpublished, deleted: remove it) rebuilds exactly
        what the lists show you. What you see follows your token: anonymous callers see public records only.
        A since past the end of the feed (a cursor of another hub, or of this one before it was restored from
        an older backup) answers 400 naming since: start again from 0.
        """
        changes.check_cursor(session(), args["since"])
        events, position, more = changes.events(session(), current_principal(), args["since"], args["limit"],
                                             args.get("type"))
        return {"changes": events, "next_cursor": str(position), "has_more": more}
