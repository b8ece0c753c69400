package dev.chat.node.testing;

import java.time.Duration;

import dev.chat.node.delivery.DeliveryConfig;
import dev.chat.node.delivery.DeliveryLimits;
import dev.chat.node.sockets.SocketLimits;

/** Settings for unit tests, built by hand (no configuration is read): application.properties' values by default. */
public final class Settings {
    private Settings() {
    }

    public static DeliveryConfig delivery(Duration redeliverAfter) {
        return new DeliveryConfig() {
            @Override
            public Duration redeliverAfter() {
                return redeliverAfter;
            }

            @Override
            public Duration sweepInterval() {
                return Duration.ofSeconds(2);
            }

            @Override
            public int pendingBatch() {
                return 500;
            }

            @Override
            public Duration ackLinger() {
                return Duration.ofMillis(10);
            }

            @Override
            public Duration appendLinger() {
                return Duration.ZERO;
            }

            @Override
            public String pendingKeepInterval() {
                return "2s";
            }

            @Override
            public Duration pendingKeepTimeout() {
                return Duration.ofSeconds(30);
            }
        };
    }

    public static DeliveryLimits limits(double sendsPerSecond, int sendBurst, int maxUnackedPerUser) {
        return limits(sendsPerSecond, sendBurst, maxUnackedPerUser, 500, 10_000);
    }

    public static DeliveryLimits limits(double sendsPerSecond, int sendBurst, int maxUnackedPerUser,
            double groupRowsPerSecond, int groupRowBurst) {
        return new DeliveryLimits() {
            @Override
            public double groupRowsPerSecond() {
                return groupRowsPerSecond;
            }

            @Override
            public int groupRowBurst() {
                return groupRowBurst;
            }

            @Override
            public double sendsPerSecond() {
                return sendsPerSecond;
            }

            @Override
            public int sendBurst() {
                return sendBurst;
            }

            @Override
            public int maxUnackedPerUser() {
                return maxUnackedPerUser;
            }
        };
    }

    public static SocketLimits sockets() {
        return new SocketLimits() {
            @Override
            public int maxPendingWrites() {
                return 1000;
            }

            @Override
            public Duration slowConsumerGrace() {
                return Duration.ofSeconds(10);
            }

            @Override
            public double framesPerSecond() {
                return 100;
            }

            @Override
            public int frameBurst() {
                return 1000;
            }

            @Override
            public int maxSocketsPerUser() {
                return 16;
            }

            @Override
            public int maxAppendsWaiting() {
                return 100;
            }

            @Override
            public int maxAcksInFlight() {
                return 1000;
            }

            @Override
            public Duration answerWithin() {
                return Duration.ofMillis(1500);
            }

            @Override
            public Duration storeSilentAfter() {
                return Duration.ofMillis(1500);
            }
        };
    }
}
