import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

application = get_wsgi_application()

# What is loaded by now (Django, the apps, their modules) lives as long as the worker: frozen,
# the garbage collector no longer walks it on every full collection, which paused a request
# for 60 ms at 100,000 objects on a 2-CPU machine.
gc.freeze()
