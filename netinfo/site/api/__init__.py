"""
The read-only content API (/api/v1/): published articles, topics, glossary terms and the
patient-group directory as JSON, for partner associations that show our reviewed text on their
own sites. Built with Django REST framework; the OpenAPI schema is drf-spectacular's.

The data is what the pages show, from the same stored fields (the HTML rendered when an article
is saved), never a second renderer, and never a field meant for editors. Version 1 only adds
fields; a change that would break a partner's page goes into /api/v2/.
"""
