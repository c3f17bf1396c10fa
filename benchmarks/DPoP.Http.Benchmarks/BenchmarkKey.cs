using System.Security.Cryptography;

namespace DPoP.Http.Benchmarks;

/// <summary>
/// One key pair seen three ways: the raw <see cref="ECDsa"/>/<see cref="RSA"/> object (for the bare signature and
/// the peer libraries) and the <see cref="DPoPKey"/> wrapping that very object, so every approach signs with the
/// same key and the same OpenSSL handle.
/// </summary>
internal sealed class BenchmarkKey : IDisposable
{
    private BenchmarkKey(string algorithm, AsymmetricAlgorithm keyObject, DPoPKey key)
    {
        Algorithm = algorithm;
        KeyObject = keyObject;
        Key = key;
        Ecdsa = keyObject as ECDsa;
        Rsa = keyObject as RSA;
        Hash = key.SignatureAlgorithm.Hash;
        Padding = key.SignatureAlgorithm.Padding;

        // The public JWK as the peers need it for their `jwk` header: built once, as any app would.
        Jwk = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var (name, value) in key.PublicJwk)
        {
            Jwk[name] = value;
        }
    }

    public string Algorithm { get; }

    public AsymmetricAlgorithm KeyObject { get; }

    public ECDsa? Ecdsa { get; }

    public RSA? Rsa { get; }

    public DPoPKey Key { get; }

    public HashAlgorithmName Hash { get; }

    public RSASignaturePadding? Padding { get; }

    public Dictionary<string, object> Jwk { get; }

    public static BenchmarkKey Create(string algorithm)
    {
        AsymmetricAlgorithm keyObject = algorithm switch
        {
            DPoPAlgorithms.ES256 => ECDsa.Create(ECCurve.NamedCurves.nistP256),
            DPoPAlgorithms.ES384 => ECDsa.Create(ECCurve.NamedCurves.nistP384),
            DPoPAlgorithms.ES512 => ECDsa.Create(ECCurve.NamedCurves.nistP521),
            _ => RSA.Create(2048),
        };
        var key = keyObject is ECDsa ecdsa ? DPoPKey.FromECDsa(ecdsa, algorithm) : DPoPKey.FromRsa((RSA)keyObject, algorithm);
        return new BenchmarkKey(algorithm, keyObject, key);
    }

    /// <summary>The bare signature: what any JWS library must pay at least (IEEE P1363 for ECDSA, as JWS wants).</summary>
    public int SignData(ReadOnlySpan<byte> data, Span<byte> destination) => Ecdsa is not null
        ? Ecdsa.SignData(data, destination, Hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)
        : Rsa!.SignData(data, destination, Hash, Padding!);

    public void Dispose()
    {
        Key.Dispose();
        KeyObject.Dispose();
    }
}
