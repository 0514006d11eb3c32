package dev.chorus.sfu.transport;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.util.Hashtable;
import java.util.List;
import java.util.Locale;
import java.util.Vector;
import java.util.function.Consumer;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.AlertLevel;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.ClientCertificateType;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.DefaultTlsServer;
import org.bouncycastle.tls.ExporterLabel;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsCloseable;
import org.bouncycastle.tls.TlsContext;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsFatalAlertReceived;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.TlsTimeoutException;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.UseSRTPData;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;

/**
 * One blocking DTLS 1.2 handshake with Bouncy Castle, either role, ending in SRTP keys. Both roles demand
 * and check the peer certificate against the fingerprint from the peer's SDP.
 */
final class DtlsHandshake {
    private static final int[] CIPHER_SUITES = {
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
        CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
    };
    private static final SignatureAndHashAlgorithm ECDSA_SHA256 =
            SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa);

    /** The outcome: negotiated profile, our send key/salt, the peer's key/salt, and the live DTLS transport. */
    record Result(
            SrtpProfile profile,
            byte[] localKey,
            byte[] localSalt,
            byte[] remoteKey,
            byte[] remoteSalt,
            DTLSTransport transport) {}

    /** A failed handshake, with its named reason. */
    static final class DtlsException extends IOException {
        final DtlsFailure failure;

        DtlsException(DtlsFailure failure, String detail, Throwable cause) {
            super(failure + (detail == null ? "" : ": " + detail), cause);
            this.failure = failure;
        }
    }

    private DtlsHandshake() {}

    /**
     * Runs the handshake to completion on the calling thread.
     *
     * @param onPeer receives the BC peer as soon as it exists, so {@code close()} can cancel it
     */
    static Result run(
            boolean server,
            DtlsCertificate cert,
            List<SrtpProfile> profiles,
            String remoteFingerprint,
            DtlsPacketQueue transport,
            int timeoutMillis,
            Consumer<TlsCloseable> onPeer)
            throws DtlsException {
        Checks checks = new Checks(remoteFingerprint, profiles);
        try {
            if (server) {
                Server peer = new Server(cert, checks, timeoutMillis);
                onPeer.accept(peer::cancel);
                DTLSServerProtocol protocol = new DTLSServerProtocol();
                // ICE already proved the peer owns its address (authenticated binding), so the cookie
                // exchange would only add a round trip.
                protocol.setVerifyRequests(false);
                DTLSTransport t = protocol.accept(peer, transport);
                return checks.result(t, true);
            }
            Client peer = new Client(cert, checks, timeoutMillis);
            onPeer.accept(peer::cancel);
            DTLSTransport t = new DTLSClientProtocol().connect(peer, transport);
            return checks.result(t, false);
        } catch (DtlsException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            if (checks.failure != null) {
                throw new DtlsException(checks.failure, checks.detail, e);
            }
            if (e instanceof TlsTimeoutException) {
                throw new DtlsException(DtlsFailure.HANDSHAKE_TIMEOUT, "after " + timeoutMillis + " ms", e);
            }
            if (e instanceof TlsFatalAlertReceived a) {
                throw new DtlsException(
                        DtlsFailure.ALERT_RECEIVED, AlertDescription.getText(a.getAlertDescription()), e);
            }
            throw new DtlsException(DtlsFailure.PROTOCOL_ERROR, String.valueOf(e.getMessage()), e);
        }
    }

    /** Shared by both roles: fingerprint check, SRTP profile choice, exported keying material. */
    private static final class Checks {
        final String expectedHash;
        final String expectedFingerprint;
        final List<SrtpProfile> profiles;
        volatile DtlsFailure failure;
        volatile String detail;
        volatile boolean certificateVerified;
        volatile SrtpProfile chosen;
        volatile byte[] keyingMaterial;

        Checks(String remoteFingerprint, List<SrtpProfile> profiles) {
            String fp = remoteFingerprint.trim();
            int sp = fp.indexOf(' ');
            this.expectedHash = fp.substring(0, sp).toLowerCase(Locale.ROOT);
            this.expectedFingerprint =
                    expectedHash + " " + fp.substring(sp + 1).trim().toUpperCase(Locale.ROOT);
            this.profiles = profiles;
        }

        TlsFatalAlert fail(DtlsFailure f, String d, short alert) {
            failure = f;
            detail = d;
            return new TlsFatalAlert(alert, f + ": " + d);
        }

        void verify(Certificate chain) throws IOException {
            if (chain == null || chain.isEmpty()) {
                throw fail(DtlsFailure.NO_CERTIFICATE, "peer sent no certificate", AlertDescription.bad_certificate);
            }
            String actual;
            try {
                actual = DtlsCertificate.fingerprintOf(
                        expectedHash, chain.getCertificateAt(0).getEncoded());
            } catch (GeneralSecurityException e) {
                throw fail(DtlsFailure.FINGERPRINT_MISMATCH, e.getMessage(), AlertDescription.bad_certificate);
            }
            if (!actual.equals(expectedFingerprint)) {
                throw fail(
                        DtlsFailure.FINGERPRINT_MISMATCH,
                        "expected " + expectedFingerprint + " got " + actual,
                        AlertDescription.bad_certificate);
            }
            certificateVerified = true;
        }

        void export(TlsContext context) {
            SrtpProfile p = chosen;
            keyingMaterial =
                    context.exportKeyingMaterial(ExporterLabel.dtls_srtp, null, 2 * (p.keyLength + p.saltLength));
        }

        Result result(DTLSTransport t, boolean server) throws DtlsException {
            if (!certificateVerified) {
                throw new DtlsException(DtlsFailure.NO_CERTIFICATE, "handshake ended without a peer certificate", null);
            }
            SrtpProfile p = chosen;
            byte[] m = keyingMaterial;
            if (p == null || m == null) {
                throw new DtlsException(DtlsFailure.NO_SRTP_PROFILE, "no keys exported", null);
            }
            // RFC 5764 4.2: client write key, server write key, client write salt, server write salt.
            int k = p.keyLength;
            int s = p.saltLength;
            byte[] clientKey = slice(m, 0, k);
            byte[] serverKey = slice(m, k, k);
            byte[] clientSalt = slice(m, 2 * k, s);
            byte[] serverSalt = slice(m, 2 * k + s, s);
            java.util.Arrays.fill(m, (byte) 0);
            return server
                    ? new Result(p, serverKey, serverSalt, clientKey, clientSalt, t)
                    : new Result(p, clientKey, clientSalt, serverKey, serverSalt, t);
        }

        private static byte[] slice(byte[] a, int off, int len) {
            byte[] out = new byte[len];
            System.arraycopy(a, off, out, 0, len);
            return out;
        }

        TlsCredentialedSigner signer(DtlsCertificate cert, TlsContext context) {
            return new BcDefaultTlsCredentialedSigner(
                    new TlsCryptoParameters(context),
                    cert.crypto(),
                    cert.privateKey(),
                    cert.certificate(),
                    ECDSA_SHA256);
        }
    }

    private static final class Server extends DefaultTlsServer {
        private final DtlsCertificate cert;
        private final Checks checks;
        private final int timeoutMillis;

        Server(DtlsCertificate cert, Checks checks, int timeoutMillis) {
            super(cert.crypto());
            this.cert = cert;
            this.checks = checks;
            this.timeoutMillis = timeoutMillis;
        }

        @Override
        protected ProtocolVersion[] getSupportedVersions() {
            return ProtocolVersion.DTLSv12.only();
        }

        @Override
        protected int[] getSupportedCipherSuites() {
            return TlsUtils.getSupportedCipherSuites(getCrypto(), CIPHER_SUITES);
        }

        @Override
        public int getHandshakeTimeoutMillis() {
            return timeoutMillis;
        }

        @Override
        protected TlsCredentialedSigner getECDSASignerCredentials() {
            return checks.signer(cert, context);
        }

        @Override
        public CertificateRequest getCertificateRequest() {
            Vector<SignatureAndHashAlgorithm> algs = new Vector<>();
            algs.add(ECDSA_SHA256);
            algs.add(SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha384, SignatureAlgorithm.ecdsa));
            algs.add(SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha256, SignatureAlgorithm.rsa));
            return new CertificateRequest(
                    new short[] {ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign}, algs, null);
        }

        @Override
        public void notifyClientCertificate(Certificate clientCertificate) throws IOException {
            checks.verify(clientCertificate);
        }

        @Override
        public void processClientExtensions(Hashtable clientExtensions) throws IOException {
            super.processClientExtensions(clientExtensions);
            UseSRTPData offered = TlsSRTPUtils.getUseSRTPExtension(clientExtensions);
            if (offered == null) {
                throw checks.fail(
                        DtlsFailure.NO_SRTP_PROFILE, "client sent no use_srtp", AlertDescription.handshake_failure);
            }
            for (SrtpProfile mine : checks.profiles) {
                for (int id : offered.getProtectionProfiles()) {
                    if (id == mine.ianaId) {
                        checks.chosen = mine;
                        return;
                    }
                }
            }
            throw checks.fail(DtlsFailure.NO_SRTP_PROFILE, "no common profile", AlertDescription.handshake_failure);
        }

        @Override
        @SuppressWarnings("unchecked")
        public Hashtable getServerExtensions() throws IOException {
            Hashtable ext = super.getServerExtensions();
            TlsSRTPUtils.addUseSRTPExtension(
                    ext, new UseSRTPData(new int[] {checks.chosen.ianaId}, TlsUtils.EMPTY_BYTES));
            return ext;
        }

        @Override
        public void notifyHandshakeComplete() throws IOException {
            super.notifyHandshakeComplete();
            checks.export(context);
        }

        @Override
        public void notifyAlertRaised(short level, short description, String message, Throwable cause) {
            // BC logs nothing by default; our caller reports the named failure.
        }
    }

    private static final class Client extends DefaultTlsClient {
        private final DtlsCertificate cert;
        private final Checks checks;
        private final int timeoutMillis;

        Client(DtlsCertificate cert, Checks checks, int timeoutMillis) {
            super(cert.crypto());
            this.cert = cert;
            this.checks = checks;
            this.timeoutMillis = timeoutMillis;
        }

        @Override
        protected ProtocolVersion[] getSupportedVersions() {
            return ProtocolVersion.DTLSv12.only();
        }

        @Override
        protected int[] getSupportedCipherSuites() {
            return TlsUtils.getSupportedCipherSuites(getCrypto(), CIPHER_SUITES);
        }

        @Override
        public int getHandshakeTimeoutMillis() {
            return timeoutMillis;
        }

        @Override
        @SuppressWarnings("unchecked")
        public Hashtable getClientExtensions() throws IOException {
            Hashtable ext = super.getClientExtensions();
            int[] ids = checks.profiles.stream().mapToInt(p -> p.ianaId).toArray();
            TlsSRTPUtils.addUseSRTPExtension(ext, new UseSRTPData(ids, TlsUtils.EMPTY_BYTES));
            return ext;
        }

        @Override
        public void processServerExtensions(Hashtable serverExtensions) throws IOException {
            super.processServerExtensions(serverExtensions);
            UseSRTPData chosen = TlsSRTPUtils.getUseSRTPExtension(serverExtensions);
            if (chosen == null || chosen.getProtectionProfiles().length != 1) {
                throw checks.fail(
                        DtlsFailure.NO_SRTP_PROFILE,
                        "server selected no single profile",
                        AlertDescription.illegal_parameter);
            }
            SrtpProfile p = SrtpProfile.fromIana(chosen.getProtectionProfiles()[0]);
            if (p == null || !checks.profiles.contains(p)) {
                throw checks.fail(
                        DtlsFailure.NO_SRTP_PROFILE,
                        "server selected a profile we did not offer",
                        AlertDescription.illegal_parameter);
            }
            checks.chosen = p;
        }

        @Override
        public TlsAuthentication getAuthentication() {
            return new TlsAuthentication() {
                @Override
                public void notifyServerCertificate(TlsServerCertificate serverCertificate) throws IOException {
                    checks.verify(serverCertificate.getCertificate());
                }

                @Override
                public TlsCredentials getClientCredentials(CertificateRequest request) {
                    return checks.signer(cert, context);
                }
            };
        }

        @Override
        public void notifyHandshakeComplete() throws IOException {
            super.notifyHandshakeComplete();
            checks.export(context);
        }

        @Override
        public void notifyAlertRaised(short level, short description, String message, Throwable cause) {}
    }

    static String alertText(short level, short description) {
        return AlertLevel.getText(level) + " " + AlertDescription.getText(description);
    }
}
