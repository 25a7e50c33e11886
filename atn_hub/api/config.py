"""What a client needs to know of this hub's settings: the working language and the console's languages."""
from flask import current_app
from flask.views import MethodView

from schemas.config import CONSOLE_LANGUAGES, ConfigSchema

from ..access import ANYONE, access
from .paging import Blueprint

blp = Blueprint("config", "config", url_prefix="/api/v1/config",
                description="The hub's public settings: its working language and the console's languages.")


@blp.route("")
class Config(MethodView):
    @access(blp, ANYONE)
    @blp.response(200, ConfigSchema)
    def get(self):
        """The hub's public settings

        The network's working language (ATN_WORKING_LANGUAGE), and the languages the console speaks."""
        return {"working_language": current_app.config["ATN_SETTINGS"].working_language,
                "languages": CONSOLE_LANGUAGES}
