"""gunicorn's settings, read from the working directory (the image's /app, the checkout for
bench/search.py); the command line's options add to these."""


def post_worker_init(worker):
    # Each worker answers search from its own index of the listings: built here, before the
    # worker takes requests, rather than by its first search (rotations/search_index.py).
    from rotations import search_index

    search_index.warm()
