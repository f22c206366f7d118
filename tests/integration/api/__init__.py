"""The JSON API through the app in process, every answer held to its OpenAPI document."""
