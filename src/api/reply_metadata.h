#pragma once
//! X's reply metadata: a reply starts with the @usernames of the conversation it answers (the
//! replied-to post's author, then the accounts that post itself replied to), which X adds to
//! the text when the reply is created and leaves out of its length (X's counting-characters
//! page; v1.1's auto_populate_reply_metadata, always on in v2). POST /2/tweets's
//! reply.exclude_reply_user_ids removes accounts from it, all but the replied-to author.

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/store.h"

namespace sluice {

//! The leading "@a @b " a reply by `replier` to `parent` gets (empty when there is none),
//! read from `store`: `parent`'s author unless it is the replier, then the leading @mentions of
//! `parent` when it is itself a reply (the accounts of its conversation), each once, known
//! users only, none of `exclude` (the parent's author stays: X's reply must mention it), none
//! the reply's own text already starts with, at most 50. Errors are the store's.
Result<std::string> ReplyMentionsPrefix(Store& store, const Post& parent, Id replier, std::string_view text,
                                        const std::vector<Id>& exclude);

}  // namespace sluice
