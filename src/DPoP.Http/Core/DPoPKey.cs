using System.Collections.ObjectModel;
using System.Security.Cryptography;

namespace DPoP.Http;

/// <summary>
/// An asymmetric key pair that signs DPoP proofs (RFC 9449 §4), with the algorithm it signs with.
/// </summary>
/// <remarks>
/// <para>A key is immutable and safe to use from many threads at once. Its public parts (<see cref="PublicJwk"/>,
/// <see cref="JwkThumbprint"/>) and the encoded proof header are computed once, when the key is created.</para>
/// <para><b>Disposal.</b> A key created by <see cref="Generate"/>, <see cref="FromPem"/>,
/// <see cref="FromEncryptedPem"/> or <see cref="FromJwk"/> owns its <see cref="ECDsa"/>/<see cref="RSA"/> object and
/// releases it in <see cref="Dispose"/>. A key wrapping an instance passed to <see cref="FromECDsa"/> or
/// <see cref="FromRsa"/> does not own it: the caller disposes that instance once the key is no longer used.
/// Using a disposed key throws <see cref="ObjectDisposedException"/>. Keys that live as long as the app (the usual
/// case) need no disposal; the key providers of the DI integration dispose the keys they create.</para>
/// <para><see cref="ToString"/> shows the algorithm and thumbprint only, never private material.</para>
/// </remarks>
public sealed class DPoPKey : IDisposable
{
    private readonly ECDsa? _ecdsa;
    private readonly RSA? _rsa;
    private readonly bool _ownsKey;
    private volatile bool _disposed;

    private DPoPKey(AsymmetricAlgorithm key, DPoPSignatureAlgorithm algorithm, bool ownsKey)
    {
        _ecdsa = key as ECDsa;
        _rsa = key as RSA;
        _ownsKey = ownsKey;
        SignatureAlgorithm = algorithm;

        var jwk = algorithm.IsEllipticCurve ? DPoPPublicKeyParts.EcJwk(_ecdsa!, algorithm) : DPoPPublicKeyParts.RsaJwk(_rsa!);
        PublicJwk = new ReadOnlyDictionary<string, string>(jwk);
        JwkThumbprint = JwkThumbprints.Compute(PublicJwk, nameof(PublicJwk));
        EncodedHeader = DPoPPublicKeyParts.EncodeProtectedHeader(algorithm.Name, jwk);
        SignatureSize = algorithm.IsEllipticCurve ? 2 * algorithm.CoordinateSize : (_rsa!.KeySize + 7) / 8;
    }

    /// <summary>The JWS algorithm proofs are signed with, for example <c>ES256</c> (see <see cref="DPoPAlgorithms"/>).</summary>
    public string Algorithm => SignatureAlgorithm.Name;

    /// <summary>
    /// The public key as a JWK (RFC 7517) holding exactly the public members of RFC 7518 §6:
    /// <c>kty</c>, <c>crv</c>, <c>x</c>, <c>y</c> for EC keys; <c>kty</c>, <c>n</c>, <c>e</c> for RSA keys.
    /// This is the <c>jwk</c> header of every proof.
    /// </summary>
    public IReadOnlyDictionary<string, string> PublicJwk { get; }

    /// <summary>
    /// The RFC 7638 JWK thumbprint of the public key (base64url SHA-256): the value of <c>dpop_jkt</c> in
    /// authorization requests (RFC 9449 §10) and of <c>cnf.jkt</c> in tokens bound to this key.
    /// </summary>
    public string JwkThumbprint { get; }

    /// <summary>The private key as a PKCS#8 PEM string (<c>-----BEGIN PRIVATE KEY-----</c>), made anew on each read.</summary>
    /// <exception cref="InvalidOperationException">The private key cannot be exported (a hardware or non-exportable key).</exception>
    /// <exception cref="ObjectDisposedException">The key has been disposed.</exception>
    public string PrivateKeyPem
    {
        get
        {
            ThrowIfDisposed();
            try
            {
                return KeyObject.ExportPkcs8PrivateKeyPem();
            }
            catch (CryptographicException ex)
            {
                throw NotExportable(ex);
            }
        }
    }

    internal DPoPSignatureAlgorithm SignatureAlgorithm { get; }

    /// <summary>base64url of the protected header <c>{"typ":"dpop+jwt","alg":…,"jwk":…}</c>, as ASCII bytes; it never changes for a key.</summary>
    internal byte[] EncodedHeader { get; }

    /// <summary>The size in bytes of a raw signature (IEEE P1363 for ECDSA, the modulus size for RSA).</summary>
    internal int SignatureSize { get; }

    private AsymmetricAlgorithm KeyObject => (AsymmetricAlgorithm?)_ecdsa ?? _rsa!;

    /// <summary>Generates a new key pair for <paramref name="algorithm"/> (RSA keys are 2048 bits).</summary>
    /// <param name="algorithm">One of <see cref="DPoPAlgorithms.Supported"/>; ES256 by default.</param>
    /// <returns>A new key that owns its key pair.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="algorithm"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="algorithm"/> is not supported.</exception>
    public static DPoPKey Generate(string algorithm = DPoPAlgorithms.ES256)
    {
        var descriptor = DPoPSignatureAlgorithm.Get(algorithm, nameof(algorithm));
        AsymmetricAlgorithm key = descriptor.IsEllipticCurve
            ? ECDsa.Create(descriptor.Curve)
            : RSA.Create(DPoPSignatureAlgorithm.MinimumRsaKeySize);
        return new DPoPKey(key, descriptor, ownsKey: true);
    }

    /// <summary>
    /// Imports a private key from PEM: PKCS#8 (<c>PRIVATE KEY</c>), SEC 1 (<c>EC PRIVATE KEY</c>) or PKCS#1
    /// (<c>RSA PRIVATE KEY</c>).
    /// </summary>
    /// <param name="pem">The PEM text; other blocks (certificates) may surround the key.</param>
    /// <param name="algorithm">The algorithm to sign with; by default the one the key implies (ES256/ES384/ES512 by curve, RS256 for RSA).</param>
    /// <returns>A new key that owns its key pair.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="pem"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// The PEM is empty, malformed, encrypted, holds no private key or more than one, holds only a public key, holds a
    /// key on a curve other than P-256, P-384 or P-521 or an RSA key under 2048 bits, or its key does not fit
    /// <paramref name="algorithm"/>. The text is scanned in time linear in its length.
    /// </exception>
    public static DPoPKey FromPem(string pem, string? algorithm = null)
    {
        var (key, descriptor) = DPoPKeyImport.FromPem(pem, password: null, algorithm);
        return new DPoPKey(key, descriptor, ownsKey: true);
    }

    /// <summary>
    /// Imports a password-protected PKCS#8 private key (<c>ENCRYPTED PRIVATE KEY</c>). The key derivation's iteration
    /// count is checked against a maximum of 10,000,000 before anything is derived, and the key is derived once.
    /// </summary>
    /// <param name="pem">The PEM text.</param>
    /// <param name="password">The password the key is encrypted with.</param>
    /// <param name="algorithm">The algorithm to sign with; by default the one the key implies.</param>
    /// <returns>A new key that owns its key pair.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="pem"/> or <paramref name="password"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// The PEM is malformed, asks for more than 10,000,000 key derivation iterations, the password is wrong, or the key
    /// is not usable (as for <see cref="FromPem"/>) or does not fit <paramref name="algorithm"/>.
    /// </exception>
    public static DPoPKey FromEncryptedPem(string pem, string password, string? algorithm = null)
    {
        ArgumentNullException.ThrowIfNull(password);
        var (key, descriptor) = DPoPKeyImport.FromPem(pem, password, algorithm);
        return new DPoPKey(key, descriptor, ownsKey: true);
    }

    /// <summary>Imports a private key from a JWK (RFC 7517) with <c>kty</c> <c>EC</c> or <c>RSA</c> and its private members.</summary>
    /// <param name="privateJwkJson">The JWK as JSON, for example the output of <see cref="ExportPrivateJwk"/>.</param>
    /// <param name="algorithm">The algorithm to sign with; by default the JWK's <c>alg</c>, else the one the key implies.</param>
    /// <returns>A new key that owns its key pair.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="privateJwkJson"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// The JWK is not a JSON object, a key member (<c>kty</c>, <c>crv</c>, <c>x</c>, <c>d</c>, <c>n</c>, <c>alg</c> …) is
    /// not a string or appears twice, a string holds a lone surrogate, members are missing or malformed, it holds only a
    /// public key, its <c>alg</c> is not supported, or it does not fit the algorithm.
    /// </exception>
    public static DPoPKey FromJwk(string privateJwkJson, string? algorithm = null)
    {
        var (key, descriptor) = DPoPKeyImport.FromJwk(privateJwkJson, algorithm);
        return new DPoPKey(key, descriptor, ownsKey: true);
    }

    /// <summary>
    /// Wraps an existing ECDSA key, which may be non-exportable (hardware, HSM, OS key store): proofs are signed
    /// through <paramref name="key"/> itself. The caller keeps ownership of <paramref name="key"/>.
    /// </summary>
    /// <param name="key">An ECDSA key on P-256, P-384 or P-521 holding a private key.</param>
    /// <param name="algorithm">ES256, ES384 or ES512; by default the one the curve implies.</param>
    /// <returns>A key that signs with <paramref name="key"/> and does not dispose it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="ArgumentException">The curve is not supported or does not fit <paramref name="algorithm"/>.</exception>
    public static DPoPKey FromECDsa(ECDsa key, string? algorithm = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        var descriptor = DPoPKeyImport.CheckEcKey(key, algorithm, nameof(key));
        return new DPoPKey(key, descriptor, ownsKey: false);
    }

    /// <summary>
    /// Wraps an existing RSA key, which may be non-exportable (hardware, HSM, OS key store): proofs are signed
    /// through <paramref name="key"/> itself. The caller keeps ownership of <paramref name="key"/>.
    /// </summary>
    /// <param name="key">An RSA key of at least 2048 bits holding a private key.</param>
    /// <param name="algorithm">RS256 (default), RS384, RS512, PS256, PS384 or PS512.</param>
    /// <returns>A key that signs with <paramref name="key"/> and does not dispose it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="ArgumentException">The key is shorter than 2048 bits or <paramref name="algorithm"/> is not an RSA algorithm.</exception>
    public static DPoPKey FromRsa(RSA key, string algorithm = DPoPAlgorithms.RS256)
    {
        ArgumentNullException.ThrowIfNull(key);
        var descriptor = DPoPKeyImport.CheckRsaKey(key, algorithm, nameof(key));
        return new DPoPKey(key, descriptor, ownsKey: false);
    }

    /// <summary>
    /// Computes the RFC 7638 thumbprint of a public JWK (base64url SHA-256 of its required members), as a server
    /// compares it with <c>cnf.jkt</c> or <c>dpop_jkt</c>. Members other than the required ones are ignored.
    /// </summary>
    /// <param name="publicJwk">The JWK members; EC, RSA and OKP keys are understood.</param>
    /// <returns>The thumbprint.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="publicJwk"/> is null.</exception>
    /// <exception cref="ArgumentException">A required member is missing or <c>kty</c> is unknown.</exception>
    public static string ComputeJwkThumbprint(IReadOnlyDictionary<string, string> publicJwk) =>
        JwkThumbprints.Compute(publicJwk, nameof(publicJwk));

    /// <summary>Computes the RFC 7638 thumbprint of a JWK given as JSON.</summary>
    /// <param name="publicJwkJson">The JWK as a JSON object.</param>
    /// <returns>The thumbprint.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="publicJwkJson"/> is null.</exception>
    /// <exception cref="ArgumentException">The JSON is malformed or not an object, a string holds a lone surrogate, a required member is missing or <c>kty</c> is unknown.</exception>
    public static string ComputeJwkThumbprint(string publicJwkJson) =>
        JwkThumbprints.Compute(publicJwkJson, nameof(publicJwkJson));

    /// <summary>Exports the key pair as a private JWK (public members, private members and <c>alg</c>).</summary>
    /// <returns>The JWK as JSON. Treat it as a secret.</returns>
    /// <exception cref="InvalidOperationException">The private key cannot be exported (a hardware or non-exportable key).</exception>
    /// <exception cref="ObjectDisposedException">The key has been disposed.</exception>
    public string ExportPrivateJwk()
    {
        ThrowIfDisposed();
        try
        {
            return DPoPKeyImport.ExportPrivateJwk(_ecdsa, _rsa, SignatureAlgorithm);
        }
        catch (CryptographicException ex)
        {
            throw NotExportable(ex);
        }
    }

    /// <summary>Releases the key pair when this key owns it (see the remarks on <see cref="DPoPKey"/>).</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_ownsKey)
        {
            KeyObject.Dispose();
        }
    }

    /// <summary>Shows the algorithm and the public thumbprint, never private material.</summary>
    /// <returns>For example <c>DPoPKey { Algorithm = ES256, JwkThumbprint = … }</c>.</returns>
    public override string ToString() => $"DPoPKey {{ Algorithm = {Algorithm}, JwkThumbprint = {JwkThumbprint} }}";

    /// <summary>Signs <paramref name="data"/> into <paramref name="destination"/> (at least <see cref="SignatureSize"/> bytes) and returns the bytes written.</summary>
    internal int Sign(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        ThrowIfDisposed();
        int written;
        var signed = _ecdsa is not null
            ? _ecdsa.TrySignData(data, destination, SignatureAlgorithm.Hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation, out written)
            : _rsa!.TrySignData(data, destination, SignatureAlgorithm.Hash, SignatureAlgorithm.Padding!, out written);
        if (!signed)
        {
            throw new CryptographicException("The signature did not fit the buffer sized for this key.");
        }

        return written;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    private static InvalidOperationException NotExportable(CryptographicException inner) =>
        new("The private key of this DPoP key is not exportable (it lives in a hardware or non-exportable key store).", inner);
}
