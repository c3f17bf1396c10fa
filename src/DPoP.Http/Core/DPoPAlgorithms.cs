namespace DPoP.Http;

/// <summary>
/// The JWS algorithms DPoP.Http can sign proofs with (RFC 7518 §3). All are asymmetric, as RFC 9449 §4.2 requires.
/// </summary>
public static class DPoPAlgorithms
{
    /// <summary>ECDSA with P-256 and SHA-256. The default and the recommended choice: small keys, small proofs, fast signing.</summary>
    public const string ES256 = "ES256";

    /// <summary>ECDSA with P-384 and SHA-384.</summary>
    public const string ES384 = "ES384";

    /// <summary>ECDSA with P-521 and SHA-512.</summary>
    public const string ES512 = "ES512";

    /// <summary>RSASSA-PKCS1-v1_5 with SHA-256 (RSA keys of at least 2048 bits).</summary>
    public const string RS256 = "RS256";

    /// <summary>RSASSA-PKCS1-v1_5 with SHA-384 (RSA keys of at least 2048 bits).</summary>
    public const string RS384 = "RS384";

    /// <summary>RSASSA-PKCS1-v1_5 with SHA-512 (RSA keys of at least 2048 bits).</summary>
    public const string RS512 = "RS512";

    /// <summary>RSASSA-PSS with SHA-256 and MGF1 with SHA-256 (RSA keys of at least 2048 bits).</summary>
    public const string PS256 = "PS256";

    /// <summary>RSASSA-PSS with SHA-384 and MGF1 with SHA-384 (RSA keys of at least 2048 bits).</summary>
    public const string PS384 = "PS384";

    /// <summary>RSASSA-PSS with SHA-512 and MGF1 with SHA-512 (RSA keys of at least 2048 bits).</summary>
    public const string PS512 = "PS512";

    /// <summary>Every supported algorithm name, in the order above.</summary>
    public static IReadOnlyList<string> Supported { get; } = [ES256, ES384, ES512, RS256, RS384, RS512, PS256, PS384, PS512];

    /// <summary>Tells whether <paramref name="algorithm"/> is one of <see cref="Supported"/> (names are case-sensitive, as in JWS).</summary>
    /// <param name="algorithm">A JWS <c>alg</c> value.</param>
    /// <returns><see langword="true"/> when proofs can be signed with it.</returns>
    public static bool IsSupported(string? algorithm) => algorithm is not null && DPoPSignatureAlgorithm.TryGet(algorithm, out _);
}
