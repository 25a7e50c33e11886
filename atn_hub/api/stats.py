from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from schemas.stats import StatsArgsSchema, StatsSchema

from ..access import ANYONE, access
from ..oauth.protector import current_principal
from ..services import stats
from .common import session

blp = Blueprint("stats", "stats", url_prefix="/api/v1/stats",
                description="The network at a glance: counts of records, over time, and the review figures.")


@blp.route("")
class Stats(MethodView):
    @access(blp, ANYONE)
    @blp.arguments(StatsArgsSchema, location="query")
    @blp.response(200, StatsSchema)
    def get(self, args):
        """The network at a glance

        Counts of the records the caller may read (by type, status, society, country, language, topic), records
        published and submitted per month, contacts past their review date, records lacking a translation into
        the working language; for coordinators also the moderation queue and review times (null for others).
        Kept per visibility class and filters: counted again once records change, at most every
        ATN_STATS_CACHE_SECONDS (generated_at: when); the queue and review dates are counted for each request.
        """
        settings = current_app.config["ATN_SETTINGS"]
        return stats.stats(session(), current_principal(), args, settings.working_language,
                           settings.stats_cache_seconds)
