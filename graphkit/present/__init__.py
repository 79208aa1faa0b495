"""The present layer: what a person reads — the review ``report`` (HTML, Markdown), the network ``views`` (prepared
node and edge lists) and ``viz`` (offline vis-network pages). It imports the layers below and never streamlit.
"""
