"""`python -m api`: run the API with uvicorn on the configured host and port."""
import uvicorn

from api.core.config import get_settings
from api.main import create_app


def main() -> None:
    settings = get_settings()
    uvicorn.run(create_app(settings, announce=True), host=settings.api_host, port=settings.api_port,
                log_level="warning", proxy_headers=False)   # FORWARDED_ALLOW_IPS: api/main.py


if __name__ == "__main__":
    main()
