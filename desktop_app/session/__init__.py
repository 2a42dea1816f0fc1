"""The session: state (Qt-free), refresh policy (Qt-free), and the Qt controller and its parts."""
