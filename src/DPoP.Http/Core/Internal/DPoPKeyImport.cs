using System.Security.Cryptography;
using Jose;

namespace DPoP.Http.Internal;

/// <summary>
/// Turns PEM and JWK text into key objects, checking that the key is private and fits the algorithm. Every failure
/// is an <see cref="ArgumentException"/> naming the parameter; messages never quote the input. JWK members are read
/// strictly (<see cref="DPoPJwkJson"/>: jose-jwt's own reader throws NullReferenceException and JoseException on
/// nulls and wrong types), then jose-jwt's <see cref="Jwk"/> builds the key.
/// </summary>
internal static class DPoPKeyImport
{
    /// <summary>The JWK members read for a key; each must be a string when present, and appear once.</summary>
    private static readonly string[] JwkKeyMembers = ["kty", "alg", "crv", "x", "y", "d", "n", "e", "p", "q", "dp", "dq", "qi"];

    public static (AsymmetricAlgorithm Key, DPoPSignatureAlgorithm Algorithm) FromPem(string? pem, string? password, string? algorithm)
    {
        ArgumentNullException.ThrowIfNull(pem);
        if (string.IsNullOrWhiteSpace(pem))
        {
            throw new ArgumentException("The PEM must not be empty.", nameof(pem));
        }

        var (label, der) = DPoPPemReader.ReadPrivateKey(pem, nameof(pem));
        AsymmetricAlgorithm key;
        try
        {
            key = label switch
            {
                not "ENCRYPTED PRIVATE KEY" when password is not null => throw new ArgumentException("The PEM private key is not encrypted; use DPoPKey.FromPem.", nameof(pem)),
                "EC PRIVATE KEY" => ImportDer(ECDsa.Create(), k => k.ImportECPrivateKey(der, out _), nameof(pem)),
                "RSA PRIVATE KEY" => ImportDer(RSA.Create(), k => k.ImportRSAPrivateKey(der, out _), nameof(pem)),
                "PRIVATE KEY" => DPoPPkcs8.Import(der, nameof(pem)),
                _ when password is null => throw new ArgumentException("The PEM private key is encrypted; use DPoPKey.FromEncryptedPem with its password.", nameof(pem)),
                _ => DPoPPkcs8.ImportEncrypted(der, password, nameof(pem)),
            };
        }
        finally
        {
            CryptographicOperations.ZeroMemory(der);
        }

        return (key, CheckOrDispose(key, algorithm, nameof(pem)));
    }

    public static (AsymmetricAlgorithm Key, DPoPSignatureAlgorithm Algorithm) FromJwk(string? privateJwkJson, string? algorithm)
    {
        ArgumentNullException.ThrowIfNull(privateJwkJson);
        const string param = nameof(privateJwkJson);
        if (string.IsNullOrWhiteSpace(privateJwkJson))
        {
            throw new ArgumentException("The JWK must not be empty.", param);
        }

        var jwk = DPoPJwkJson.ReadStringMembers(privateJwkJson, param, JwkKeyMembers);
        var kty = jwk.GetValueOrDefault("kty");
        if (algorithm is null && jwk.GetValueOrDefault("alg") is { Length: > 0 } alg)
        {
            // From the JWK, so a bad one is the JWK's fault: name that parameter, not 'algorithm'.
            algorithm = DPoPAlgorithms.IsSupported(alg)
                ? alg
                : throw new ArgumentException($"The JWK 'alg' is not a supported algorithm (supported: {string.Join(", ", DPoPAlgorithms.Supported)}).", param);
        }

        AsymmetricAlgorithm key;
        switch (kty)
        {
            case Jwk.KeyTypes.EC:
                RequireMembers(jwk, kty, param, "crv", "x", "y");
                RequirePrivate(jwk, param);
                if (DPoPSignatureAlgorithm.ForCurveName(jwk["crv"]) is null)
                {
                    throw new ArgumentException("The JWK 'crv' must be P-256, P-384 or P-521.", param);
                }

                key = Build(() => new Jwk(jwk["crv"], jwk["x"], jwk["y"], jwk["d"]).ECDsaKey(), param);
                break;
            case Jwk.KeyTypes.RSA:
                RequireMembers(jwk, kty, param, "n", "e");
                RequirePrivate(jwk, param);
                key = Build(
                    () => new Jwk(jwk["e"], jwk["n"], jwk.GetValueOrDefault("p"), jwk.GetValueOrDefault("q"), jwk["d"], jwk.GetValueOrDefault("dp"), jwk.GetValueOrDefault("dq"), jwk.GetValueOrDefault("qi")).RsaKey(),
                    param);
                break;
            case null or "":
                throw new ArgumentException("The JWK has no 'kty' member.", param);
            default:
                throw new ArgumentException("The JWK 'kty' must be EC or RSA.", param);
        }

        return (key, CheckOrDispose(key, algorithm, param));
    }

    /// <summary>Runs <paramref name="import"/> on <paramref name="key"/>; any failure disposes the key and becomes an <see cref="ArgumentException"/>.</summary>
    public static T ImportDer<T>(T key, Action<T> import, string paramName)
        where T : AsymmetricAlgorithm
    {
        try
        {
            import(key);
            return key;
        }
        catch (Exception ex) when (IsImportFailure(ex))
        {
            key.Dispose();
            throw new ArgumentException(
                "The PEM private key is malformed or of an unsupported type (EC on P-256/P-384/P-521 or RSA expected).", paramName, ex);
        }
    }

    public static string ExportPrivateJwk(ECDsa? ecdsa, RSA? rsa, DPoPSignatureAlgorithm algorithm)
    {
        var jwk = ecdsa is not null ? new Jwk(ecdsa, isPrivate: true) : new Jwk(rsa!, isPrivate: true);
        jwk.Alg = algorithm.Name;
        return jwk.ToJson(JWT.DefaultSettings.JsonMapper);
    }

    public static DPoPSignatureAlgorithm CheckEcKey(ECDsa key, string? algorithm, string paramName)
    {
        ECParameters parameters;
        try
        {
            parameters = key.ExportParameters(includePrivateParameters: false);
        }
        catch (CryptographicException ex)
        {
            throw new ArgumentException("The ECDSA key's public parameters cannot be read.", paramName, ex);
        }

        var implied = DPoPSignatureAlgorithm.ForCurve(parameters.Curve)
            ?? throw new ArgumentException("The EC key must be on P-256, P-384 or P-521.", paramName);
        if (algorithm is null)
        {
            return implied;
        }

        var requested = DPoPSignatureAlgorithm.Get(algorithm, nameof(algorithm));
        if (!ReferenceEquals(requested, implied))
        {
            throw new ArgumentException(
                $"The key is an EC key on {implied.CurveName}, which signs {implied.Name}, not {requested.Name}.", paramName);
        }

        return requested;
    }

    public static DPoPSignatureAlgorithm CheckRsaKey(RSA key, string? algorithm, string paramName)
    {
        var requested = DPoPSignatureAlgorithm.Get(algorithm ?? DPoPAlgorithms.RS256, nameof(algorithm));
        if (requested.IsEllipticCurve)
        {
            throw new ArgumentException($"The key is an RSA key, which cannot sign {requested.Name}.", paramName);
        }

        if (key.KeySize < DPoPSignatureAlgorithm.MinimumRsaKeySize)
        {
            throw new ArgumentException(
                $"The RSA key has {key.KeySize} bits; at least {DPoPSignatureAlgorithm.MinimumRsaKeySize} are required.", paramName);
        }

        return requested;
    }

    private static DPoPSignatureAlgorithm CheckOrDispose(AsymmetricAlgorithm key, string? algorithm, string paramName)
    {
        try
        {
            return key switch
            {
                ECDsa ecdsa => CheckEcKey(ecdsa, algorithm, paramName),
                RSA rsa => CheckRsaKey(rsa, algorithm, paramName),
                _ => throw new ArgumentException("Only EC and RSA keys are supported.", paramName),
            };
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>
    /// What importing malformed key bytes throws: <see cref="CryptographicException"/> on every platform,
    /// <see cref="PlatformNotSupportedException"/> for a curve the platform lacks, and from JWK decoding
    /// <see cref="FormatException"/>, <see cref="ArgumentException"/> or <see cref="IndexOutOfRangeException"/>.
    /// </summary>
    private static bool IsImportFailure(Exception ex) =>
        ex is CryptographicException or PlatformNotSupportedException or FormatException or ArgumentException or IndexOutOfRangeException
            or OverflowException or System.Formats.Asn1.AsnContentException;

    private static void RequireMembers(Dictionary<string, string> jwk, string kty, string paramName, params ReadOnlySpan<string> names)
    {
        foreach (var name in names)
        {
            if (string.IsNullOrEmpty(jwk.GetValueOrDefault(name)))
            {
                throw new ArgumentException($"The {kty} JWK has no '{name}' member.", paramName);
            }
        }
    }

    private static void RequirePrivate(Dictionary<string, string> jwk, string paramName)
    {
        if (string.IsNullOrEmpty(jwk.GetValueOrDefault("d")))
        {
            throw new ArgumentException("The JWK holds only a public key (no 'd' member); a private key is required to sign proofs.", paramName);
        }
    }

    private static AsymmetricAlgorithm Build(Func<AsymmetricAlgorithm> factory, string paramName)
    {
        try
        {
            return factory();
        }
        catch (Exception ex) when (IsImportFailure(ex))
        {
            throw new ArgumentException("The JWK's key members are malformed (bad base64url, wrong lengths, or a point not on the curve).", paramName, ex);
        }
    }
}
