from .roles import tasks_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None:
        return {"nav_items": []}
    items = []
    for task in tasks_for(user):
        if task.in_navigation:
            url = task.url
            items.append({"label": task.title, "url": url, "active": request.path.startswith(url)})
    return {"nav_items": items}
