"""HTTP: the FastAPI app, its routes, dependencies and error mapping; web/ holds the chat page."""
