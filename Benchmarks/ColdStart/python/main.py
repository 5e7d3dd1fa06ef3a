# The Python Functions Framework's smallest function, measured beside ours for comparison.
def hello(request):
    return "ok"
