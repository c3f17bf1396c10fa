using System.Security.Cryptography;

namespace DPoP.Http.Benchmarks;

/// <summary>
/// A P-256 key whose signature costs nothing: it writes 64 zero bytes. Wrapped in a <see cref="DPoPKey"/> (through
/// <see cref="DPoPKey.FromECDsa"/>, the path of hardware keys), it makes a proof with everything but the signature,
/// so what DPoP.Http adds above the signature can be measured without the signature's noise, which on a busy
/// machine is larger than the thing measured. Such a proof does not verify; nothing here sends it to a verifier.
/// </summary>
internal sealed class NullSignatureECDsa : ECDsa
{
    private readonly ECParameters _publicParameters;

    public NullSignatureECDsa()
    {
        using var real = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _publicParameters = real.ExportParameters(includePrivateParameters: false);
        KeySizeValue = 256;
    }

    /// <summary>An ES256 <see cref="DPoPKey"/> over a new null-signature key.</summary>
    public static DPoPKey CreateKey() => DPoPKey.FromECDsa(new NullSignatureECDsa(), DPoPAlgorithms.ES256);

    public override ECParameters ExportParameters(bool includePrivateParameters) =>
        includePrivateParameters ? throw new CryptographicException("No private key.") : _publicParameters;

    public override byte[] SignHash(byte[] hash) => new byte[64];

    public override bool VerifyHash(byte[] hash, byte[] signature) => false;

    protected override bool TrySignDataCore(
        ReadOnlySpan<byte> data, Span<byte> destination, HashAlgorithmName hashAlgorithm, DSASignatureFormat signatureFormat, out int bytesWritten)
    {
        destination[..64].Clear();
        bytesWritten = 64;
        return true;
    }
}
