# Dates as British English writes them ("22 November 2026"), as the articles do; Django's "en"
# is American ("Nov. 22, 2026"). Other formats come from Django's own "en" module.
DATE_FORMAT = "j F Y"
