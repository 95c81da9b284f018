"""Who may call each contracts endpoint, for the route walk (tests/foundation/test_routes_walk.py)."""

ALL = ("rep", "supervisor", "manager", "director", "gm", "assistant", "finance")

ACCESS = {
    "GET contracts.register": {**{r: 200 for r in ALL}, "*": 403, None: 302},
}
PARAMS = {}
