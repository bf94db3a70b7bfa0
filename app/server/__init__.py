"""The bundled API server (FastAPI on uvicorn) speaking the platform's REST API v2."""
