"""reallabor live: the web view of the readings as they arrive (collector -> SQLite store -> aiohttp
server with Server-Sent Events -> the page in static/), the fleet view, and the demo. docs/live.md
describes the page, the database schema and the broker account."""
