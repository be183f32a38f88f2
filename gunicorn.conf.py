"""gunicorn's settings, read from the working directory (the image's /app, the checkout for
bench/search.py); the command line's options add to these."""


def post_worker_init(worker):
    # Each worker answers search from its own index of the listings, and keeps the result cards
    # and API items it has drawn: the index is built here, and the cards and items of the listings
    # most searches show are drawn here (about 7 s for 100,000 listings), rather than by the
    # worker's first searches (rotations/search_index.py, rotations/search_kept.py).
    from django.db import DatabaseError, connection

    from rotations import api, search_index
    from rotations.templatetags import search_cards

    search_index.warm()
    try:
        search_cards.warm()
        api.warm()
    except DatabaseError:
        worker.log.warning("search results not drawn ahead at start; searches draw them", exc_info=True)
    finally:
        connection.close()  # the worker's requests open their own
