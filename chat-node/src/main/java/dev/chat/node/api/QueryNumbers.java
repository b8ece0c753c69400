package dev.chat.node.api;

import dev.chat.common.api.ApiException;

/**
 * Whole numbers in query parameters ({@code limit}, {@code before}), read from text here: a parameter declared as
 * a number that does not convert is answered 404 by JAX-RS, which tells a client the page does not exist when its
 * request was wrong. Here it is 400 {@code invalid_request}, naming the parameter.
 */
final class QueryNumbers {
    private QueryNumbers() {
    }

    /** The value as a number; null when absent; 400 {@code invalid_request} when it is not a whole number. */
    static Long parse(String value, String name) {
        if (value == null) {
            return null;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("invalid_request", name + " must be a whole number");
        }
    }
}
