using System.ComponentModel.DataAnnotations;
using IdentityHost.IdentityServer.Entities;

namespace IdentityHost.IdentityServer.Api;

/// <summary>A role name (or every role of a list) must be one of <see cref="Roles.All"/>, in any case; null passes.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class KnownRoleAttribute : ValidationAttribute
{
    public KnownRoleAttribute()
        : base($"The role must be one of: {string.Join(", ", Roles.All)}.")
    {
    }

    public override bool IsValid(object? value) => value switch
    {
        null => true,
        string role => Roles.Canonicalize(role) is not null,
        IEnumerable<string?> roles => roles.All(role => Roles.Canonicalize(role) is not null),
        _ => false,
    };
}
