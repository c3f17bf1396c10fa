using System.Security.Cryptography;
using System.Text.Json;
using Jose;

namespace DPoP.Http.Internal;

/// <summary>
/// Turns PEM and JWK text into key objects, checking that the key is private and fits the algorithm. JWK parsing
/// and key construction use jose-jwt's <see cref="Jwk"/>; messages never quote the input.
/// </summary>
internal static class DPoPKeyImport
{
    public static (AsymmetricAlgorithm Key, DPoPSignatureAlgorithm Algorithm) FromPem(string? pem, string? password, string? algorithm)
    {
        ArgumentNullException.ThrowIfNull(pem);
        if (string.IsNullOrWhiteSpace(pem))
        {
            throw new ArgumentException("The PEM must not be empty.", nameof(pem));
        }

        var label = FindPrivateKeyLabel(pem);
        AsymmetricAlgorithm key = label switch
        {
            "EC PRIVATE KEY" => ImportPem(ECDsa.Create(), pem, password),
            "RSA PRIVATE KEY" => ImportPem(RSA.Create(), pem, password),
            "PRIVATE KEY" or "ENCRYPTED PRIVATE KEY" => ImportPkcs8(pem, password, label),
            _ => throw new ArgumentException("The PEM holds no private key block.", nameof(pem)),
        };

        return (key, CheckKey(key, algorithm, nameof(pem)));
    }

    public static (AsymmetricAlgorithm Key, DPoPSignatureAlgorithm Algorithm) FromJwk(string? privateJwkJson, string? algorithm)
    {
        ArgumentNullException.ThrowIfNull(privateJwkJson);
        const string param = nameof(privateJwkJson);
        if (string.IsNullOrWhiteSpace(privateJwkJson))
        {
            throw new ArgumentException("The JWK must not be empty.", param);
        }

        Jwk jwk;
        try
        {
            jwk = Jwk.FromJson(privateJwkJson, JWT.DefaultSettings.JsonMapper);
        }
        catch (Exception ex) when (ex is JsonException or InvalidCastException or InvalidOperationException or FormatException or ArgumentException or KeyNotFoundException)
        {
            throw new ArgumentException("The JWK is not a valid JSON object.", param, ex);
        }

        if (jwk is null)
        {
            throw new ArgumentException("The JWK is not a valid JSON object.", param);
        }

        algorithm ??= string.IsNullOrEmpty(jwk.Alg) ? null : jwk.Alg;
        AsymmetricAlgorithm key;
        switch (jwk.Kty)
        {
            case Jwk.KeyTypes.EC:
                RequireMembers(jwk, param, ("crv", jwk.Crv), ("x", jwk.X), ("y", jwk.Y));
                RequirePrivate(jwk.D, param);
                if (DPoPSignatureAlgorithm.ForCurveName(jwk.Crv) is null)
                {
                    throw new ArgumentException("The JWK 'crv' must be P-256, P-384 or P-521.", param);
                }

                key = Build(jwk.ECDsaKey, param);
                break;
            case Jwk.KeyTypes.RSA:
                RequireMembers(jwk, param, ("n", jwk.N), ("e", jwk.E));
                RequirePrivate(jwk.D, param);
                key = Build(jwk.RsaKey, param);
                break;
            case null or "":
                throw new ArgumentException("The JWK has no 'kty' member.", param);
            default:
                throw new ArgumentException("The JWK 'kty' must be EC or RSA.", param);
        }

        try
        {
            return (key, CheckKey(key, algorithm, param));
        }
        catch
        {
            key.Dispose();
            throw;
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

    private static DPoPSignatureAlgorithm CheckKey(AsymmetricAlgorithm key, string? algorithm, string paramName) => key switch
    {
        ECDsa ecdsa => CheckEcKey(ecdsa, algorithm, paramName),
        RSA rsa => CheckRsaKey(rsa, algorithm, paramName),
        _ => throw new ArgumentException("Only EC and RSA keys are supported.", paramName),
    };

    private static string FindPrivateKeyLabel(string pem)
    {
        var rest = pem.AsSpan();
        var sawPublic = false;
        var sawAny = false;
        while (PemEncoding.TryFind(rest, out var fields))
        {
            sawAny = true;
            var label = rest[fields.Label];
            if (label is "PRIVATE KEY" or "EC PRIVATE KEY" or "RSA PRIVATE KEY" or "ENCRYPTED PRIVATE KEY")
            {
                return label.ToString();
            }

            sawPublic |= label is "PUBLIC KEY" or "RSA PUBLIC KEY" or "CERTIFICATE";
            rest = rest[fields.Location.End..];
        }

        throw new ArgumentException(
            sawPublic ? "The PEM holds only a public key or certificate; a private key is required to sign proofs."
            : sawAny ? "The PEM holds no private key block (PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY)."
            : "The text is not PEM-encoded (no -----BEGIN …----- block was found).",
            nameof(pem));
    }

    private static AsymmetricAlgorithm ImportPkcs8(string pem, string? password, string label)
    {
        if (label == "ENCRYPTED PRIVATE KEY" && password is null)
        {
            throw new ArgumentException("The PEM private key is encrypted; use DPoPKey.FromEncryptedPem with its password.", nameof(pem));
        }

        // PKCS#8 names the key's algorithm inside the DER; try EC first (the default), then RSA.
        var ecdsa = ECDsa.Create();
        try
        {
            if (password is null)
            {
                ecdsa.ImportFromPem(pem);
            }
            else
            {
                ecdsa.ImportFromEncryptedPem(pem, password);
            }

            return ecdsa;
        }
        catch (CryptographicException)
        {
            ecdsa.Dispose();
        }
        catch (ArgumentException)
        {
            ecdsa.Dispose();
        }

        return ImportPem(RSA.Create(), pem, password);
    }

    private static T ImportPem<T>(T key, string pem, string? password)
        where T : AsymmetricAlgorithm
    {
        try
        {
            if (password is null)
            {
                key.ImportFromPem(pem);
            }
            else
            {
                key.ImportFromEncryptedPem(pem, password);
            }

            return key;
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            key.Dispose();
            throw new ArgumentException(
                password is null
                    ? "The PEM private key is malformed or of an unsupported type (EC on P-256/P-384/P-521 or RSA expected)."
                    : "The encrypted PEM private key is malformed or the password is wrong.",
                nameof(pem),
                ex);
        }
    }

    private static void RequireMembers(Jwk jwk, string paramName, params ReadOnlySpan<(string Name, string? Value)> members)
    {
        foreach (var (name, value) in members)
        {
            if (string.IsNullOrEmpty(value))
            {
                throw new ArgumentException($"The {jwk.Kty} JWK has no '{name}' member.", paramName);
            }
        }
    }

    private static void RequirePrivate(string? d, string paramName)
    {
        if (string.IsNullOrEmpty(d))
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
        catch (Exception ex) when (ex is CryptographicException or FormatException or ArgumentException or IndexOutOfRangeException)
        {
            throw new ArgumentException("The JWK's key members are malformed (bad base64url, wrong lengths, or a point not on the curve).", paramName, ex);
        }
    }
}
