namespace DPoP.Http.DemoServer;

/// <summary>Why a proof was refused, which decides the error code the client sees.</summary>
internal enum ProofFailure
{
    /// <summary>The proof is valid.</summary>
    None,

    /// <summary><c>invalid_dpop_proof</c>: the proof breaks a rule of RFC 9449 §4.3.</summary>
    InvalidProof,

    /// <summary><c>invalid_dpop_proof</c>: the proof's <c>jti</c> was seen before (RFC 9449 §11.1).</summary>
    Replay,

    /// <summary><c>invalid_token</c>: the proof's key is not the one the access token is bound to (RFC 9449 §6, §7).</summary>
    KeyMismatch,

    /// <summary><c>use_dpop_nonce</c>: the proof lacks a current server nonce (RFC 9449 §8, §9).</summary>
    NonceRequired,
}
