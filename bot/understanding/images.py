"""Whether the person has spoken of intimate images: the Revenge Porn Helpline is for them.

Tech abuse covers tracking apps, spyware, account access and image abuse alike. The Revenge
Porn Helpline helps only when intimate images are shared or threatened; shown first to
someone whose partner put a tracker on their phone, it costs a frightened person a call to the
wrong place. So its line leads only when images were mentioned in the conversation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

REVENGE_PORN_HELPLINE_ID = "svc-national-revenge-porn-helpline"

_IMAGES = re.compile(
    r"\b(nudes?|naked|nudity|intimate|sexts?|sexting|explicit|revenge porn|deepfakes?|onlyfans|"
    r"(photos?|pics?|pictures?|images?|videos?|vids?|selfies?|recordings?|footage|films?|filmed|filming)\b"
    r"(?!.{0,20}\b(of (the|my) (injur|bruis|wound|house|flat|car)\w*)))",
    re.IGNORECASE)


def speaks_of_images(texts: Iterable[str | None]) -> bool:
    """Whether any of these messages mentions photos, videos or intimate images."""
    return any(_IMAGES.search(text or "") for text in texts)
