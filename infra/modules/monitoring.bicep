// Log Analytics workspace: the Container Apps environment sends the silo's console output (one JSON object per line,
// Logging__Format=json) and the platform's system logs here.
param name string
param location string
param tags object

resource workspace 'Microsoft.OperationalInsights/workspaces@2025-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 30
  }
}

output name string = workspace.name
output id string = workspace.id
