#pragma once
//! What a client sees of a trap record besides its text: its author's profile and its public
//! metrics, each drawn from real ones so that they follow the platform's own distributions
//! (issue 13). The models are the trap's two neighbours in the page it is injected into (real
//! posts of its age) and their authors (real accounts, active at its time). Each number is
//! the first model's moved a fraction t in [0, 0.1) of the way towards the second's on a log
//! scale, t drawn from `seed` (deterministic): it stays between two real values (a floor such
//! as "every account has posted 100 times" holds), it seldom repeats either model exactly (a
//! client sees both neighbours' authors in the same page), and counts that move together
//! (a post's six, followers and listed) share one t. A zero stays zero.

#include <cstdint>

#include "core/types.h"

namespace sluice {

//! The metrics of a trap between real posts with metrics `model` and `other`.
PostMetrics TrapMetrics(const PostMetrics& model, const PostMetrics& other, uint64_t seed);

//! The profile of a trap's synthetic author `id` (@`username`, `name`), modelled on the real
//! accounts `model` and `other`: metrics and account age blended as above (tweet_count at
//! least `min_posts`, the traps it authors; created at least a day before `first_post`, the
//! trap's time); location, description and verified type `model`'s. An organisation's model
//! (verified business or government, or labelled) lends its numbers only: the author is a
//! person, unverified, with no description. Never protected, never pinned; `synthetic` set.
User TrapAuthorProfile(const User& model, const User& other, Id id, std::string username, std::string name,
                       TimeMs first_post, int64_t min_posts, uint64_t seed);

}  // namespace sluice
