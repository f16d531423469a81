"""Public-opinion monitoring: black/gray accounts on Douyin, Kuaishou, Weibo, Xiaohongshu and the like.

Importers (contract format, MediaCrawler, vendors) with de-duplication and item history; post and account
detection on the text engine; reach, region, business type and an editable priority score; report batches
with outcomes and effectiveness. See docs/social.md.
"""
