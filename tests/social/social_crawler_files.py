"""MediaCrawler output laid out as its store classes write it: ``<data>/<platform>/<format>/
<crawler type>_<contents|comments|creators>_<date>.<format>``, with each platform's own field names."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

AD = "专业处理信用卡逾期，停息挂账、个性化分期，不成功不收费，薇：shangan_88"
TALK = "信用卡逾期了好焦虑，自己打银行客服申请了分期"

DOUYIN_CONTENT = {
    "aweme_id": "7301", "aweme_type": "0", "title": AD, "desc": AD, "create_time": 1714521600,
    "user_id": "dy_u1", "sec_uid": "MS4w-abc", "short_user_id": "11", "user_unique_id": "shangan88",
    "user_signature": "债务优化 | 简介有V", "nickname": "上岸老王", "avatar": "https://x/a.jpg",
    "liked_count": "1200", "collected_count": "30", "comment_count": "45", "share_count": "12",
    "ip_location": "广东", "last_modify_ts": 1714608000000, "aweme_url": "https://www.douyin.com/video/7301",
    "cover_url": "", "video_download_url": "", "music_download_url": "", "note_download_url": "",
    "source_keyword": "停息挂账",
}
DOUYIN_COMMENT = {
    "comment_id": "c1", "create_time": 1714525200, "ip_location": "湖南", "aweme_id": "7301", "content": TALK,
    "user_id": "dy_u2", "sec_uid": "MS4w-def", "short_user_id": "12", "user_unique_id": "", "user_signature": "",
    "nickname": "路人甲", "avatar": "", "sub_comment_count": "0", "like_count": 3, "last_modify_ts": 1714608000000,
    "parent_comment_id": "0", "pictures": "",
}
DOUYIN_CREATOR = {
    "user_id": "dy_u1", "nickname": "上岸老王", "gender": "Unknown", "avatar": "", "desc": "债务优化 | 简介有V",
    "ip_location": "IP属地：广东", "follows": 10, "fans": 52000, "interaction": 880000, "videos_count": 310,
    "last_modify_ts": 1714608000000,
}
KUAISHOU_CONTENT = {
    "video_id": "3xk1", "video_type": "1", "title": AD, "desc": AD, "create_time": 1714521600000,
    "user_id": "ks_u1", "nickname": "协商老李", "avatar": "", "liked_count": "3.2万", "viewd_count": "15w+",
    "last_modify_ts": 1714608000000, "video_url": "https://www.kuaishou.com/short-video/3xk1",
    "video_cover_url": "", "video_play_url": "", "source_keyword": "协商还款",
}
KUAISHOU_COMMENT = {
    "comment_id": "901", "create_time": 1714525200000, "video_id": "3xk1", "content": TALK, "user_id": "ks_u2",
    "nickname": "小张", "avatar": "", "sub_comment_count": "2", "last_modify_ts": 1714608000000,
}
WEIBO_CONTENT = {
    "note_id": "4990001", "content": AD, "create_time": 1714521600, "create_date_time": "2024-05-01 08:00:00",
    "liked_count": "88", "comments_count": "9", "shared_count": "4", "last_modify_ts": 1714608000000,
    "note_url": "https://m.weibo.cn/detail/4990001", "ip_location": "江苏", "user_id": "6001",
    "nickname": "债务规划师", "gender": "m", "profile_url": "https://m.weibo.cn/u/6001", "avatar": "",
    "source_keyword": "停息挂账",
}
WEIBO_COMMENT = {
    "comment_id": "5001", "create_time": 1714525200, "create_date_time": "2024-05-01 09:00:00",
    "note_id": "4990001", "content": TALK, "sub_comment_count": "0", "comment_like_count": "5",
    "last_modify_ts": 1714608000000, "ip_location": "北京", "parent_comment_id": "", "user_id": "6002",
    "nickname": "微博用户", "gender": "f", "profile_url": "", "avatar": "",
}
XHS_CONTENT = {
    "note_id": "65f0a1", "type": "normal", "title": "信用卡逾期怎么办", "desc": AD, "video_url": "",
    "time": 1714521600000, "last_update_time": 1714521600000, "user_id": "5f00aa", "nickname": "上岸姐",
    "avatar": "", "liked_count": "1.1万", "collected_count": "560", "comment_count": "77", "share_count": "30",
    "ip_location": "浙江", "image_list": "", "tag_list": "信用卡", "last_modify_ts": 1714608000000,
    "note_url": "https://www.xiaohongshu.com/explore/65f0a1?xsec_token=t&xsec_source=pc_search",
    "source_keyword": "个性化分期", "xsec_token": "t",
}
XHS_COMMENT = {
    "comment_id": "66aa01", "create_time": 1714525200000, "ip_location": "上海", "note_id": "65f0a1",
    "content": TALK, "user_id": "5f00bb", "nickname": "小红薯", "avatar": "", "sub_comment_count": 0,
    "pictures": "", "parent_comment_id": 0, "last_modify_ts": 1714608000000, "like_count": 1,
}


def write(root: Path, platform_folder: str, fmt: str, item_type: str, items: list[dict[str, Any]],
          crawler_type: str = "search", day: str = "2024-05-02") -> Path:
    """One MediaCrawler output file, in the format ``fmt`` (csv, json or jsonl)."""
    folder = root / platform_folder / fmt
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{crawler_type}_{item_type}_{day}.{fmt}"
    if fmt == "jsonl":
        path.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), encoding="utf-8")
    elif fmt == "json":
        path.write_text(json.dumps(items, ensure_ascii=False, indent=4), encoding="utf-8")
    else:
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(items[0]))
            writer.writeheader()
            writer.writerows(items)
    return path


def crawl_folder(root: Path) -> Path:
    """Douyin as JSON lines, Kuaishou as CSV, Weibo and Xiaohongshu as JSON arrays (each a supported option)."""
    write(root, "douyin", "jsonl", "contents", [DOUYIN_CONTENT])
    write(root, "douyin", "jsonl", "comments", [DOUYIN_COMMENT])
    write(root, "douyin", "jsonl", "creators", [DOUYIN_CREATOR])
    write(root, "kuaishou", "csv", "contents", [KUAISHOU_CONTENT])
    write(root, "kuaishou", "csv", "comments", [KUAISHOU_COMMENT])
    write(root, "weibo", "json", "contents", [WEIBO_CONTENT])
    write(root, "weibo", "json", "comments", [WEIBO_COMMENT])
    write(root, "xhs", "json", "contents", [XHS_CONTENT])
    write(root, "xhs", "json", "comments", [XHS_COMMENT])
    return root
