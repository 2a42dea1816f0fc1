"""One stylesheet for the window: calm, readable, with room to breathe."""

ACCENT = "#2b5fd9"

STYLESHEET = f"""
QMainWindow, QWidget#central {{ background: #f6f7f9; }}
QLabel[muted="true"] {{ color: #5b6270; }}
QFrame#card {{ background: white; border: 1px solid #e1e4ea; border-radius: 10px; }}
QFrame#header {{ background: white; border-bottom: 1px solid #e1e4ea; }}
QPushButton {{ padding: 6px 14px; border-radius: 6px; border: 1px solid #c9ced8; background: white; }}
QPushButton:hover {{ background: #eef1f6; }}
QPushButton[primary="true"] {{ background: {ACCENT}; color: white; border: 1px solid {ACCENT};
    font-weight: bold; padding: 9px 22px; }}
QPushButton[primary="true"]:hover {{ background: #234fb8; }}
QLabel#role {{ background: #e7eefc; color: #1d3f91; border: 1px solid #c5d5f7; border-radius: 10px;
    padding: 2px 10px; font-weight: bold; }}
QFrame#banner[severity="error"] {{ background: #fdecec; border: 1px solid #f2b8b5; border-radius: 8px; }}
QFrame#banner[severity="warning"] {{ background: #fff6e0; border: 1px solid #f0d58a; border-radius: 8px; }}
QFrame#banner[severity="info"] {{ background: #e8f1fd; border: 1px solid #b9d3f7; border-radius: 8px; }}
QTabWidget::pane {{ border: none; }}
QTabBar::tab {{ padding: 8px 18px; }}
QStatusBar {{ background: white; border-top: 1px solid #e1e4ea; }}
"""
