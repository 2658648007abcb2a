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


# Pictures of the person speaking ("my pics", "nudes i sent him", "photos of me", "making me
# send pics") ...
_PICTURES = r"(nudes?|pics?|pictures?|photos?|images?|videos?|vids?|selfies?)"
_OWN_IMAGES = re.compile(
    rf"\bmy\b.{{0,20}}\b(naked (pics?|pictures?|photos?|videos?)|{_PICTURES})\b|"
    rf"\b{_PICTURES}\b.{{0,12}}\b(of me|i sent|i took|i made|i gave)\b|"
    # made to send them: "he keeps making me send pics", "pressuring me to send nudes"
    r"\b(mak\w*|made|pressur\w*|forc\w*|push\w*|get(s|ting)?|got|ask\w*|beg\w*) me (to )?(send|take|sending|taking)\b"
    rf".{{0,15}}\b{_PICTURES}\b", re.IGNORECASE)
# ... being shared, or threatened to be: sent on, posted, leaked, shown to others.
_SHARED = re.compile(
    r"\b(send|sends|sending|sent|share|shares|sharing|shared|post|posts|posting|posted|leak|leaks|leaking|"
    r"leaked|show|shows|showing|showed|shown|spread|spreading|upload\w*|forward\w*|put (it|them) online|"
    r"online|everyone|every1|all over|whole school)\b", re.IGNORECASE)


def speaks_of_own_images(texts: Iterable[str | None]) -> bool:
    """Whether any of these messages speaks of pictures of the speaker ("a nude of me")."""
    return any(_OWN_IMAGES.search(text or "") for text in texts)


def images_shared_now(text: str | None) -> bool:
    """Whether the message says pictures are being shared ("its been shared in a group chat")."""
    return _SHARED.search(text or "") is not None


def shares_own_images(text: str | None) -> bool:
    """Whether someone says pictures of them are shared or threatened to be ("he'll send my
    pics to everyone"): for someone under 18 that is a crime with its own routes (Report
    Remove, CEOP), and the Revenge Porn Helpline is for adults."""
    return bool(_OWN_IMAGES.search(text or "") and _SHARED.search(text or ""))


def speaks_of_images(texts: Iterable[str | None]) -> bool:
    """Whether any of these messages mentions photos, videos or intimate images."""
    return any(_IMAGES.search(text or "") for text in texts)


# A question about one's own pictures once they are out: getting them taken down, or being in
# trouble for having sent them ("how do i get them taken down", "will the police arrest me for
# sending them"). Said after the pictures were told of, so "them" is the pictures.
ABOUT_OWN_IMAGES = re.compile(
    r"\b(taken down|take (them|it|that|this) down|taking (them|it) down)\b"
    r"|\b(taken|take|get|got) (them |it |that |this )?off (snapchat|snap|instagram|insta|tiktok|facebook|twitter"
    r"|x|the internet|online|the group|the site|the app)\b"
    rf"|\b(remove|delete|get rid of|taken off)\b.{{0,25}}\b(nudes?|naked|{_PICTURES})\b"
    r"|\b(trouble|arrest\w*|prison|criminal record|police)\b.{0,40}\b(for )?(sending|sent|taking|took|making|made)"
    rf" (them|it|those|these|the|my|a|any)?\s?({_PICTURES}|nudes?)?\b",
    re.IGNORECASE)


def asks_about_own_images(text: str | None) -> bool:
    """Whether the message asks about getting one's pictures taken down, or about being in
    trouble for sending them."""
    return ABOUT_OWN_IMAGES.search(text or "") is not None
