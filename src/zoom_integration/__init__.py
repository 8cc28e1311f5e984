"""The account-level Zoom connection: credentials, OAuth views, token source, webhook intake,
disabling, and the Zoom meeting provider."""
