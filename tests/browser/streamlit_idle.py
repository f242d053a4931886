"""The selector that says the app is connected and has finished its rerun (see STACK_NOTES.md)."""
IDLE = ('[data-testid="stApp"][data-test-connection-state="CONNECTED"]'
        '[data-test-script-state="notRunning"]')
