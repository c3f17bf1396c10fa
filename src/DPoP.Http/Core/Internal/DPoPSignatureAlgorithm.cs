using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace DPoP.Http.Internal;

/// <summary>What one JWS algorithm needs: key family, hash, curve or padding.</summary>
internal sealed class DPoPSignatureAlgorithm
{
    /// <summary>RFC 9449 does not set a floor, but keys below 2048 bits are broken in practice (NIST SP 800-131A).</summary>
    public const int MinimumRsaKeySize = 2048;

    private static readonly DPoPSignatureAlgorithm[] All =
    [
        new(DPoPAlgorithms.ES256, HashAlgorithmName.SHA256, "P-256", ECCurve.NamedCurves.nistP256, 32),
        new(DPoPAlgorithms.ES384, HashAlgorithmName.SHA384, "P-384", ECCurve.NamedCurves.nistP384, 48),
        new(DPoPAlgorithms.ES512, HashAlgorithmName.SHA512, "P-521", ECCurve.NamedCurves.nistP521, 66),
        new(DPoPAlgorithms.RS256, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
        new(DPoPAlgorithms.RS384, HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1),
        new(DPoPAlgorithms.RS512, HashAlgorithmName.SHA512, RSASignaturePadding.Pkcs1),
        new(DPoPAlgorithms.PS256, HashAlgorithmName.SHA256, RSASignaturePadding.Pss),
        new(DPoPAlgorithms.PS384, HashAlgorithmName.SHA384, RSASignaturePadding.Pss),
        new(DPoPAlgorithms.PS512, HashAlgorithmName.SHA512, RSASignaturePadding.Pss),
    ];

    private DPoPSignatureAlgorithm(string name, HashAlgorithmName hash, string curveName, ECCurve curve, int coordinateSize)
    {
        Name = name;
        Hash = hash;
        IsEllipticCurve = true;
        CurveName = curveName;
        Curve = curve;
        CoordinateSize = coordinateSize;
    }

    private DPoPSignatureAlgorithm(string name, HashAlgorithmName hash, RSASignaturePadding padding)
    {
        Name = name;
        Hash = hash;
        Padding = padding;
    }

    public string Name { get; }

    public HashAlgorithmName Hash { get; }

    public bool IsEllipticCurve { get; }

    /// <summary>The JWK <c>crv</c> name (RFC 7518 §6.2.1.1); null for RSA.</summary>
    public string? CurveName { get; }

    public ECCurve Curve { get; }

    /// <summary>Bytes per EC coordinate, and half the IEEE P1363 signature size.</summary>
    public int CoordinateSize { get; }

    public RSASignaturePadding? Padding { get; }

    public static bool TryGet(string name, [NotNullWhen(true)] out DPoPSignatureAlgorithm? algorithm)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(candidate.Name, name, StringComparison.Ordinal))
            {
                algorithm = candidate;
                return true;
            }
        }

        algorithm = null;
        return false;
    }

    /// <summary>Looks an algorithm up or throws an <see cref="ArgumentException"/> listing the supported ones.</summary>
    public static DPoPSignatureAlgorithm Get(string? name, string paramName)
    {
        ArgumentNullException.ThrowIfNull(name, paramName);
        if (TryGet(name, out var algorithm))
        {
            return algorithm;
        }

        // The name is not secret, but it is caller input of any length: quote at most a short prefix.
        var shown = name.Length <= 16 ? name : string.Concat(name.AsSpan(0, 16), "…");
        throw new ArgumentException(
            $"The algorithm '{shown}' is not supported. Supported algorithms: {string.Join(", ", DPoPAlgorithms.Supported)}.",
            paramName);
    }

    /// <summary>The algorithm a JWK curve name implies (ES256 for P-256 …), or null for an unknown curve.</summary>
    public static DPoPSignatureAlgorithm? ForCurveName(string? curveName)
    {
        foreach (var candidate in All)
        {
            if (candidate.IsEllipticCurve && string.Equals(candidate.CurveName, curveName, StringComparison.Ordinal))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>The algorithm an EC curve implies, or null when the curve is none of P-256, P-384, P-521.</summary>
    public static DPoPSignatureAlgorithm? ForCurve(ECCurve curve)
    {
        var oid = curve.Oid?.Value;
        var friendly = curve.Oid?.FriendlyName;
        foreach (var candidate in All)
        {
            if (!candidate.IsEllipticCurve)
            {
                continue;
            }

            var expected = candidate.Curve.Oid;
            if ((oid is not null && oid == expected.Value) || (oid is null && friendly is not null && IsFriendlyNameOf(friendly, candidate)))
            {
                return candidate;
            }
        }

        return null;
    }

    private static bool IsFriendlyNameOf(string friendlyName, DPoPSignatureAlgorithm candidate) => candidate.CurveName switch
    {
        "P-256" => friendlyName is "nistP256" or "ECDSA_P256" or "secp256r1" or "prime256v1",
        "P-384" => friendlyName is "nistP384" or "ECDSA_P384" or "secp384r1",
        "P-521" => friendlyName is "nistP521" or "ECDSA_P521" or "secp521r1",
        _ => false,
    };
}
