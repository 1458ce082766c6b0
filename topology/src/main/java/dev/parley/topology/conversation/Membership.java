package dev.parley.topology.conversation;

import dev.parley.topology.store.ConversationMeta;
import dev.parley.topology.store.Member;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Read-only questions about a conversation's members, asked by every rule. */
final class Membership {

    private static final int MAX_USER_ID_CHARS = 128;

    private Membership() {}

    static Member find(ConversationMeta meta, String userId) {
        for (Member m : meta.getMembers()) {
            if (m.getUserId().equals(userId)) {
                return m;
            }
        }
        return null;
    }

    static boolean isMember(ConversationMeta meta, String userId) {
        return find(meta, userId) != null;
    }

    static boolean isAdmin(ConversationMeta meta, String userId) {
        Member m = find(meta, userId);
        return m != null && m.getAdmin();
    }

    static List<String> userIds(ConversationMeta meta) {
        List<String> ids = new ArrayList<>(meta.getMembers().size());
        meta.getMembers().forEach(m -> ids.add(m.getUserId()));
        return ids;
    }

    static List<String> admins(ConversationMeta meta) {
        List<String> ids = new ArrayList<>();
        meta.getMembers().stream().filter(Member::getAdmin).forEach(m -> ids.add(m.getUserId()));
        return ids;
    }

    /** A group must keep an admin: when the last one leaves, the longest-standing member becomes one. */
    static void ensureAdmin(ConversationMeta meta) {
        if (meta.getDirect() || meta.getMembers().isEmpty() || !admins(meta).isEmpty()) {
            return;
        }
        meta.getMembers().stream()
                .min(Comparator.comparingLong(Member::getJoinedAt).thenComparing(Member::getUserId))
                .ifPresent(m -> m.setAdmin(true));
    }

    /** User ids come from authentication; still, a control character would corrupt composite store keys. */
    static boolean isValidUserId(String userId) {
        if (userId == null || userId.isEmpty() || userId.length() > MAX_USER_ID_CHARS) {
            return false;
        }
        for (int i = 0; i < userId.length(); i++) {
            if (Character.isISOControl(userId.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
