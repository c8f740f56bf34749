"""Who may sign in to the admin: users and their roles (`users`) and server-side sessions (`sessions`).
"""
