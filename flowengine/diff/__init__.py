"""`flowengine diff`: what callers will experience differently between two versions of flows.

Two sides (files, folders or git revisions) are loaded and compiled; each flow is reduced to
what a caller meets (facts), states are matched (renames recognised), and the differences
become a change model that the reporters print as text, Markdown or JSON.
"""
