namespace DPoP.Http.DemoServer;

/// <summary>The outcome of <see cref="DPoPProofValidator.ValidateAsync"/>.</summary>
internal sealed class ProofValidationResult
{
    private ProofValidationResult(ProofFailure failure, string detail, IReadOnlyDictionary<string, string>? claims, string? thumbprint)
    {
        Failure = failure;
        Detail = detail;
        Claims = claims;
        Thumbprint = thumbprint;
    }

    public ProofFailure Failure { get; }

    public bool IsValid => Failure == ProofFailure.None;

    /// <summary>The rule that failed (safe to show: no key material, tokens or nonces), or "valid".</summary>
    public string Detail { get; }

    /// <summary>The proof's claims as strings, once its payload parsed; otherwise null.</summary>
    public IReadOnlyDictionary<string, string>? Claims { get; }

    /// <summary>The RFC 7638 thumbprint of the proof's <c>jwk</c>, once the signature verified; otherwise null.</summary>
    public string? Thumbprint { get; }

    public static ProofValidationResult Valid(IReadOnlyDictionary<string, string> claims, string thumbprint) =>
        new(ProofFailure.None, "valid", claims, thumbprint);

    public static ProofValidationResult Fail(ProofFailure failure, string detail, IReadOnlyDictionary<string, string>? claims = null) =>
        new(failure, detail, claims, thumbprint: null);
}
