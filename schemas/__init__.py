"""Marshmallow schemas: the shape of every request and response. One module per resource."""
