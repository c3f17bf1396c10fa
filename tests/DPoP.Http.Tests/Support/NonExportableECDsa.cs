using System.Security.Cryptography;

namespace DPoP.Http.Tests.Support;

/// <summary>
/// Behaves like an HSM or non-exportable CNG key: it signs, exports its public point, and refuses to export the
/// private scalar.
/// </summary>
internal sealed class NonExportableECDsa : ECDsa
{
    private readonly ECDsa _inner = Create(ECCurve.NamedCurves.nistP256);

    public NonExportableECDsa() => KeySizeValue = 256;

    public int SignCalls { get; private set; }

    public override byte[] SignHash(byte[] hash)
    {
        SignCalls++;
        return _inner.SignHash(hash);
    }

    public override bool VerifyHash(byte[] hash, byte[] signature) => _inner.VerifyHash(hash, signature);

    public override ECParameters ExportParameters(bool includePrivateParameters) =>
        includePrivateParameters ? throw new CryptographicException("The key is not exportable.") : _inner.ExportParameters(false);

    public override ECParameters ExportExplicitParameters(bool includePrivateParameters) => throw new CryptographicException("The key is not exportable.");

    public override bool TryExportPkcs8PrivateKey(Span<byte> destination, out int bytesWritten) => throw new CryptographicException("The key is not exportable.");

    public override byte[] ExportPkcs8PrivateKey() => throw new CryptographicException("The key is not exportable.");

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
