"""The web archive: read-only HTML pages of a group's past rounds (`bot.web.site`)."""
