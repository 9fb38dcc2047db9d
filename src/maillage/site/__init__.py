"""The site's own pages that gather the apps: the home page (a composition layer, like the root
URLs; nothing below imports it)."""
