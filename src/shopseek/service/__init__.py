"""HTTP service: FastAPI routers that parse requests, call the application and render answers."""
