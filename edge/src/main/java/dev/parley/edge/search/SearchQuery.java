package dev.parley.edge.search;

import dev.parley.edge.ApiException;
import dev.parley.schema.ErrorCode;
import java.util.ArrayList;
import java.util.List;

/**
 * The query language of DESIGN 7.2, parsed here and never handed to OpenSearch's own query syntax
 * ({@code query_string} would let {@code body:*}, {@code _id:} or a regex reach the engine): words,
 * all of which must match; {@code "quoted phrases"}; {@code pre*} prefixes. Everything else is
 * text, which the index's analyzer turns into terms, so {@code body:*} means the prefix {@code
 * body}. Case, accents, width and stemming are the analyzer's job, not this parser's.
 */
public record SearchQuery(List<Clause> clauses) {

    public enum Kind {
        WORD,
        PHRASE,
        PREFIX
    }

    /** One part of the query; {@code text} as the user wrote it, without quotes or the star. */
    public record Clause(Kind kind, String text) {}

    /**
     * @throws ApiException {@code bad_request} for a blank query, one over {@code maxChars} code
     *     points or {@code maxClauses} parts, an unbalanced quote or a bare {@code *}
     */
    public static SearchQuery parse(String q, int maxChars, int maxClauses) {
        if (q == null || q.isBlank()) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "q must not be empty");
        }
        if (q.codePointCount(0, q.length()) > maxChars) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "q is longer than " + maxChars + " characters");
        }
        List<Clause> clauses = new ArrayList<>();
        int i = 0;
        int n = q.length();
        while (i < n) {
            char c = q.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '"') {
                int end = q.indexOf('"', i + 1);
                if (end < 0) {
                    throw new ApiException(ErrorCode.BAD_REQUEST, "q has an unbalanced quote");
                }
                String phrase = q.substring(i + 1, end).strip();
                if (!phrase.isEmpty()) {
                    clauses.add(new Clause(Kind.PHRASE, phrase));
                }
                i = end + 1;
            } else {
                int end = i;
                while (end < n && !Character.isWhitespace(q.charAt(end)) && q.charAt(end) != '"') {
                    end++;
                }
                String word = q.substring(i, end);
                if (word.endsWith("*")) {
                    String prefix = word.replaceAll("\\*+$", "");
                    if (prefix.isEmpty()) {
                        throw new ApiException(ErrorCode.BAD_REQUEST, "a prefix needs at least one character before *");
                    }
                    clauses.add(new Clause(Kind.PREFIX, prefix));
                } else {
                    clauses.add(new Clause(Kind.WORD, word));
                }
                i = end;
            }
            if (clauses.size() > maxClauses) {
                throw new ApiException(
                        ErrorCode.BAD_REQUEST, "q has more than " + maxClauses + " words, phrases and prefixes");
            }
        }
        if (clauses.isEmpty()) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "q must not be empty");
        }
        return new SearchQuery(List.copyOf(clauses));
    }
}
