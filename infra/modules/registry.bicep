// The container registry azd pushes the silo's image to, and the identity the container app pulls it with.
param name string
param identityName string
param location string
param tags object

// Built-in role AcrPull: pull images from a container registry.
var acrPullRoleDefinitionId = '7f951dda-4ed3-4680-a7ca-43fe172d538d'

resource registry 'Microsoft.ContainerRegistry/registries@2025-11-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: 'Basic'
  }
  properties: {
    // No admin user: azd pushes with the operator's Entra login, the app pulls with the managed identity.
    adminUserEnabled: false
    // Registry-wide role assignments, so AcrPull on the registry is what grants the pull.
    roleAssignmentMode: 'LegacyRegistryPermissions'
    publicNetworkAccess: 'Enabled'
  }
}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: identityName
  location: location
  tags: tags
}

resource acrPull 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: registry
  name: guid(registry.id, identity.id, acrPullRoleDefinitionId)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', acrPullRoleDefinitionId)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

output name string = registry.name
output loginServer string = registry.properties.loginServer
// A module's outputs exist once all of its resources are deployed, the AcrPull assignment included: a container app
// given this id therefore starts pulling only after the identity may pull.
output identityId string = identity.id
