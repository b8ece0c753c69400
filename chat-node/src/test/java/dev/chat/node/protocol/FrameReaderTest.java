package dev.chat.node.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.ObjectMapper;

class FrameReaderTest {
    private final FrameReader reader = new FrameReader(new ObjectMapper(), 10);

    @Test
    void readsSendAndIgnoresASpoofedFrom() {
        ClientFrame f = reader.read("{\"type\":\"send\",\"id\":\"a-1\",\"to\":\"bob\",\"body\":\"hi\",\"from\":\"eve\"}");
        assertEquals(new ClientFrame.Send("a-1", "bob", "hi"), f);
    }

    @Test
    void readsReauthAndKeepsTheTokenOutOfItsText() {
        ClientFrame f = reader.read("{\"type\":\"reauth\",\"id\":\"r-1\",\"token\":\"aaa.bbb.ccc\"}");
        assertEquals(new ClientFrame.Reauth("r-1", "aaa.bbb.ccc"), f);
        assertEquals(false, f.toString().contains("aaa.bbb.ccc"));
        assertEquals(new ClientFrame.Reauth(null, "t"), reader.read("{\"type\":\"reauth\",\"token\":\"t\"}"));
        assertEquals(ErrorCode.BAD_FRAME, assertThrows(FrameException.class,
                () -> reader.read("{\"type\":\"reauth\",\"id\":\"r\"}")).code());
        assertEquals(ErrorCode.BAD_TOKEN, assertThrows(FrameException.class,
                () -> reader.read("{\"type\":\"reauth\",\"token\":\"" + "x".repeat(9000) + "\"}")).code());
    }

    @Test
    void readsAck() {
        assertEquals(new ClientFrame.Ack("3f0e8a8e-6d1c-4c1e-9a53-0f1f2d3c4b5a"),
                reader.read("{\"type\":\"ack\",\"id\":\"3f0e8a8e-6d1c-4c1e-9a53-0f1f2d3c4b5a\"}"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "not json                                              | BAD_JSON",
            "[1,2]                                                 | BAD_JSON",
            "\"text\"                                              | BAD_JSON",
            "{\"id\":\"x\"}                                        | BAD_FRAME",
            "{\"type\":7,\"id\":\"x\"}                             | BAD_FRAME",
            "{\"type\":\"nope\",\"id\":\"x\"}                      | UNKNOWN_TYPE",
            "{\"type\":\"ack\"}                                    | BAD_FRAME",
            "{\"type\":\"ack\",\"id\":5}                           | BAD_FRAME",
            "{\"type\":\"ack\",\"id\":\"\"}                        | BAD_ID",
            "{\"type\":\"ack\",\"id\":\"has space\"}               | BAD_ID",
            "{\"type\":\"send\",\"id\":\"x\",\"body\":\"b\"}       | BAD_FRAME",
            "{\"type\":\"send\",\"id\":\"x\",\"to\":\"bob\"}       | BAD_FRAME",
            "{\"type\":\"send\",\"id\":\"x\",\"to\":\"bob\",\"body\":1}  | BAD_FRAME",
            "{\"type\":\"send\",\"id\":\"x\",\"to\":\"Bob\",\"body\":\"b\"} | UNKNOWN_RECIPIENT",
            "{\"type\":\"send\",\"id\":\"x\",\"to\":\"bob\",\"body\":\"\"}  | BAD_BODY",
            "{\"type\":\"send\",\"id\":\"x\",\"to\":\"bob\",\"body\":\"01234567890\"} | BAD_BODY",
            "{\"type\":\"send\",\"id\":\"x\",\"to\":\"bob\",\"body\":\"a\\u0000b\"} | BAD_BODY",
    })
    void refusesWithTheRightCode(String frame, ErrorCode code) {
        FrameException e = assertThrows(FrameException.class, () -> reader.read(frame));
        assertEquals(code, e.code(), e.getMessage());
    }

    @Test
    void readsEditsAndDeletes() {
        assertEquals(new ClientFrame.Change("e-1", ClientFrame.Change.Kind.EDIT, "m-1", null, "fixed"),
                reader.read("{\"type\":\"edit\",\"id\":\"e-1\",\"target\":\"m-1\",\"body\":\"fixed\"}"));
        assertEquals(new ClientFrame.Change("d-1", ClientFrame.Change.Kind.DELETE, "m-1", "bob", null),
                reader.read("{\"type\":\"delete\",\"id\":\"d-1\",\"target\":\"m-1\",\"targetFrom\":\"bob\",\"body\":\"x\"}"));
        assertEquals(ErrorCode.BAD_BODY, assertThrows(FrameException.class, () -> reader.read(
                "{\"type\":\"edit\",\"id\":\"e-1\",\"target\":\"m-1\",\"body\":\"\"}")).code());
        assertEquals(ErrorCode.BAD_FRAME, assertThrows(FrameException.class, () -> reader.read(
                "{\"type\":\"delete\",\"id\":\"d-1\"}")).code());
        FrameException bad = assertThrows(FrameException.class, () -> reader.read(
                "{\"type\":\"delete\",\"id\":\"d-1\",\"target\":\"m 1\"}"));
        assertEquals(ErrorCode.UNKNOWN_MESSAGE, bad.code());
        assertEquals("d-1", bad.id());
        assertEquals(ErrorCode.UNKNOWN_MESSAGE, assertThrows(FrameException.class, () -> reader.read(
                "{\"type\":\"delete\",\"id\":\"d-1\",\"target\":\"m-1\",\"targetFrom\":\"Bob!\"}")).code());
    }

    @Test
    void readsPing() {
        assertEquals(new ClientFrame.Ping("p1"), reader.read("{\"type\":\"ping\",\"id\":\"p1\"}"));
    }

    @Test
    void idsUpTo64CharactersOnly() {
        String ok = "a".repeat(64);
        assertEquals(new ClientFrame.Ack(ok), reader.read("{\"type\":\"ack\",\"id\":\"" + ok + "\"}"));
        FrameException e = assertThrows(FrameException.class,
                () -> reader.read("{\"type\":\"ack\",\"id\":\"" + ok + "a\"}"));
        assertEquals(ErrorCode.BAD_ID, e.code());
        assertNull(e.id(), "an invalid ID is not echoed back");
    }

    @Test
    void echoesAValidIdInErrorsAboutOtherFields() {
        FrameException e = assertThrows(FrameException.class,
                () -> reader.read("{\"type\":\"send\",\"id\":\"m-9\",\"to\":\"bob\",\"body\":\"\"}"));
        assertEquals("m-9", e.id());
    }
}
