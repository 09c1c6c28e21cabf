"""Graph jobs over the stored stream: the account graph (follows, reposts, replies, quotes,
mentions, and derived links: the same invite link, media or text), expansion from confirmed or
suspended accounts, and ban-evasion linking. Each result explains the link it draws."""
