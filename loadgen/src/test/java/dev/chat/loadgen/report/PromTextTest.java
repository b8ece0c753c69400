package dev.chat.loadgen.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PromTextTest {
    private static final String TEXT = """
            # HELP chat_sockets_open open sockets
            # TYPE chat_sockets_open gauge
            chat_sockets_open 12.0
            chat_messages_accepted_total{node="1"} 30.0
            chat_messages_accepted_total{node="2"} 12.0
            chat_messages_accepted_total_extra 99
            haproxy_frontend_current_sessions{proxy="chat"} 7
            haproxy_frontend_current_sessions{proxy="stats"} 1
            chat_ratio 0.5
            """;

    @Test
    void aMetricIsSummedOverItsSeriesAndOnlyItsOwn() {
        assertEquals("12", PromText.sum(TEXT, "chat_sockets_open"));
        assertEquals("42", PromText.sum(TEXT, "chat_messages_accepted_total"));
        assertEquals("7", PromText.sum(TEXT, "haproxy_frontend_current_sessions{proxy=\"chat\"}"));
        assertEquals("0.500000", PromText.sum(TEXT, "chat_ratio"));
    }

    @Test
    void aMetricNotThereIsADash() {
        assertEquals("-", PromText.sum(TEXT, "chat_db_errors_total"));
        assertEquals("-", PromText.sum("", "chat_sockets_open"));
    }
}
